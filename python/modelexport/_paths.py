"""Argument checks shared by the modules: paths are str or os.PathLike, as Python's open() takes."""

import os


def fspath(value, name):
    """The path as str; TypeError naming the parameter for anything else (a number, None, ...)."""
    try:
        path = os.fspath(value)
    except TypeError:
        raise TypeError(f"{name}: expected a path (str or os.PathLike), got {type(value).__name__}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    return path


def strings(value, name):
    """A list of str from a str or an iterable of str; TypeError naming the parameter otherwise."""
    if isinstance(value, str):
        return [value]
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{name}: expected a str or a list of str, got {type(value).__name__}") from None
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name}: expected str items, got {type(item).__name__}")
    return items
