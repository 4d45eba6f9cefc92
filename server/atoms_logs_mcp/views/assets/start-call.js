startCallView();
