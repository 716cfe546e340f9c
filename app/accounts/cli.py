"""Account commands (bulk creation) added to the `flask portal` group."""
