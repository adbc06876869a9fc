"""A member's own account: the account page, the export of everything stored about them, deletion, and
`flask purge` (retention). It sits above every feature whose rows it reads or erases."""
