"""The replica of the account in the call store: kept current by the sync the spec recommends (the default
`updatedAt` order, ids tracked, never a scan on `createdAt`), read with SQL by every investigation it covers."""
