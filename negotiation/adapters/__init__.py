"""The service's connections to the outside: the database and its schema."""
