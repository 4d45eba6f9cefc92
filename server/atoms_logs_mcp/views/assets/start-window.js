startWindowView();
