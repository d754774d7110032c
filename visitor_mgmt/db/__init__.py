"""Database backends of the product (see postgresql/)."""
