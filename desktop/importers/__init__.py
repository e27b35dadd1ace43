"""Importing contacts: LinkedIn's ``Connections.csv``, any CSV with a column mapping, vCard 3/4.

Three steps, all Qt-free: :func:`read_file` parses a file into people and rejected rows (with
the reason for each); :func:`plan` matches them against the contacts already stored (merging
duplicates by e-mail address, then by name); :func:`apply` writes the plan in ONE transaction,
so an import either happens whole or not at all. The window's Import dialog and
``coffeechat import`` both show the plan before anything is written.

``people`` holds what is read, ``reading`` picks the format, ``csv_file`` and ``vcard`` read
one each, ``merge`` plans and applies.
"""

from desktop.importers.csv_file import FIELDS, GUESSES, LINKEDIN_HEADER, guess_mapping, read_csv
from desktop.importers.merge import Merge, Plan, Result, apply, describe, name_key, plan
from desktop.importers.people import MAX_BYTES, Format, ImportError_, Parsed, Person, Rejected
from desktop.importers.reading import file_text, read_file, read_text
from desktop.importers.vcard import read_vcards

__all__ = [
    "FIELDS",
    "GUESSES",
    "LINKEDIN_HEADER",
    "MAX_BYTES",
    "Format",
    "ImportError_",
    "Merge",
    "Parsed",
    "Person",
    "Plan",
    "Rejected",
    "Result",
    "apply",
    "describe",
    "file_text",
    "guess_mapping",
    "name_key",
    "plan",
    "read_csv",
    "read_file",
    "read_text",
    "read_vcards",
]
