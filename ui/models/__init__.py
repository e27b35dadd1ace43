"""Thin Qt item models over plain lists of domain objects; the window feeds them."""
