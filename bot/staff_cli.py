"""``python -m bot staff add --email … --role …``: create a care-desk account.

The password is read from standard input (one line; with a terminal, asked twice without
echo), never from the command line, so it stays out of shell history and process lists.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from pymongo.database import Database

from bot import staff
from bot.errors import InvalidInput, NotAllowed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="staff_command", required=True)
    add = sub.add_parser("add", help="create a staff account (password from stdin)")
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, choices=staff.ROLES)
    add.add_argument("--name", help="name shown to colleagues (default: from the e-mail)")


def read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != first:
            raise InvalidInput("the passwords differ", field="password")
        return first
    return stdin.readline().rstrip("\r\n")


def run(db: Database, args: argparse.Namespace, stdin: TextIO = sys.stdin,
        out: TextIO = sys.stdout) -> int:
    try:
        password = read_password(stdin)
        doc = staff.add_staff(db, args.email, args.role, password, name=args.name)
    except (InvalidInput, NotAllowed) as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(f"staff {doc['_id']} {doc['email']} ({doc['role']}) created", file=out)
    return 0
