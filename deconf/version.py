"""The package version, in a leaf module so that the store and the report can name it without
importing the package that imports them."""

__version__ = "0.1.0"
