#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reads a running Foyer's windows as a screen reader does, through AT-SPI
(libatspi, the library Orca uses), and reports every control a person
could not identify by ear.

    atspi-audit.py --pid PID [--expect NAME]... [--state NAME=STATE]... [--dump]

Every window (frame or dialog) of the application whose process is PID is
walked. A control is anything focusable, or anything with a role people
act on (buttons, toggles, switches, entries, list items, links, menu
items, combo boxes, tabs, sliders). Each must have:

  - a name (what Orca says first);
  - a name that is not a type name ("GtkImage", "FoyerSpaceRow": GTK 4.8
    falls back to the widget's type when nothing names it);
  - no mnemonic underscore ("_Sign In…");
  - no doubled words ("Sign In… Sign In…": GTK 4.8 joins a button's
    label property and its mnemonic label);
  - a role that says what it is (not a panel, filler or unknown).

Lists, tables and tab lists hold controls: they need no name of their
own (Orca says "list" and then the item), but never a type name, and
neither does a web view, which holds a page (GTK 4.8 shows WebKit's
view as a filler named after its type, its page apart). Windows need a
name, not a type name. Scroll panes and scroll bars are left out: GTK
makes every scrolled window focusable and names neither, and Orca does
not stop on them.
Each --state NAME=STATE (checked, unchecked, enabled, disabled,
expanded, collapsed) must hold for every control of that name that can bear it (a row
that holds a switch bears the switch's name; a menu its button's): a switch
that is on must say so, a button that does nothing must say it is not
available.
Web content is not ours (the Microsoft sign-in page, the document) and is
not walked into. Each --expect NAME must be the name of some control, so
that an audit that saw nothing cannot pass.

Prints one line per problem and a summary; exits 1 on a problem, 2 when
the application or an expected control is not found.
"""

import argparse
import re
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

ACTION_ROLES = {
    "push button", "toggle button", "check box", "radio button", "menu item",
    "check menu item", "radio menu item", "combo box", "text", "entry",
    "password text", "spin button", "slider", "link", "page tab", "list item",
    "tree item", "switch", "menu", "table cell",
}
CONTAINER_ROLES = {"scroll pane", "scroll bar", "viewport"}
LIST_ROLES = {"list", "table", "tree", "tree table", "list box", "page tab list"}
VAGUE_ROLES = {"panel", "filler", "unknown", "invalid", "redundant object", "section"}
WEB_ROLES = {"document web", "document frame"}
TYPE_NAME = re.compile(r"^(Gtk|Adw|Foyer|WebKit|Gdk)[A-Z][A-Za-z]*$")
MNEMONIC = re.compile(r"(^|[^\w])_\w|[^\W_]_[^\W_]")


def doubled(name):
    words = name.split()
    half = len(words) // 2
    return len(words) >= 2 and len(words) % 2 == 0 and words[:half] == words[half:]


STATES = {
    "checked": (Atspi.StateType.CHECKED, True),
    "unchecked": (Atspi.StateType.CHECKED, False),
    "enabled": (Atspi.StateType.SENSITIVE, True),
    "disabled": (Atspi.StateType.SENSITIVE, False),
    "expanded": (Atspi.StateType.EXPANDED, True),
    "collapsed": (Atspi.StateType.EXPANDED, False),
}


# The controls a state is about (a row that holds a switch bears its
# name; a menu bears its button's); any control may be disabled.
STATE_ROLES = {
    Atspi.StateType.CHECKED: {
        "check box", "radio button", "toggle button", "switch", "check menu item",
        "radio menu item",
    },
    Atspi.StateType.EXPANDED: {"push button", "toggle button", "combo box", "menu item"},
}


def shown_states(states):
    """The states a person hears, for --dump."""
    said = []
    if states.contains(Atspi.StateType.CHECKED):
        said.append("checked")
    if states.contains(Atspi.StateType.PRESSED):
        said.append("pressed")
    if states.contains(Atspi.StateType.SELECTED):
        said.append("selected")
    if states.contains(Atspi.StateType.EXPANDED):
        said.append("expanded")
    if not states.contains(Atspi.StateType.SENSITIVE):
        said.append("disabled")
    return said


def problems_of(role, name, focusable):
    found = []
    if not name and role in LIST_ROLES:
        return found
    if not name:
        found.append("has no name")
    elif TYPE_NAME.match(name):
        found.append("is named after its type")
    else:
        if MNEMONIC.search(name):
            found.append("has a mnemonic underscore in its name")
        if doubled(name.replace("_", "")):
            found.append("has its name twice")
    if focusable and role in VAGUE_ROLES:
        found.append("is focusable but has no proper role")
    return found


class Audit:
    def __init__(self, dump):
        self.dump = dump
        self.controls = 0
        self.names = set()
        self.states = {}
        self.problems = []

    @staticmethod
    def holds_web_page(acc, count):
        """A web view: the document inside it is the page's."""
        for i in range(count):
            child = acc.get_child_at_index(i)
            if child is not None and child.get_role_name() in WEB_ROLES:
                return True
        return False

    def node(self, acc, path, depth):
        try:
            role = acc.get_role_name()
            name = (acc.get_name() or "").strip()
            states = acc.get_state_set()
            focusable = states.contains(Atspi.StateType.FOCUSABLE)
            count = acc.get_child_count()
        except gi.repository.GLib.Error as error:
            self.problems.append(f"{path}: could not be read ({error.message})")
            return
        here = f"{path} > {role} “{name}”" if path else f"{role} “{name}”"
        if self.dump:
            flags = " focusable" if focusable else ""
            flags += "".join(f" {state}" for state in shown_states(states))
            print(f"{'  ' * depth}{role} “{name}”{flags}")
        if role in WEB_ROLES:
            return
        if depth == 0:
            if not name:
                self.problems.append(f"{here}: a window without a name")
            elif TYPE_NAME.match(name):
                self.problems.append(f"{here}: a window named after its type")
        elif role not in CONTAINER_ROLES and (focusable or role in ACTION_ROLES):
            self.controls += 1
            self.names.add(name)
            self.states.setdefault(name, []).append((role, states))
            for problem in problems_of(role, name, focusable):
                self.problems.append(f"{here} {problem}")
        elif role in LIST_ROLES or name.startswith("WebKit") or self.holds_web_page(acc, count):
            # What Orca says as the focus enters it.
            for problem in problems_of(role, name, focusable):
                self.problems.append(f"{here} {problem}")
        for i in range(count):
            child = acc.get_child_at_index(i)
            if child is not None:
                self.node(child, here if depth > 0 else f"{role} “{name}”", depth + 1)


def find_application(pid, timeout):
    desktop = Atspi.get_desktop(0)
    deadline = time.monotonic() + timeout
    while True:
        for i in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(i)
            try:
                if app is not None and app.get_process_id() == pid:
                    return app
            except gi.repository.GLib.Error:
                continue
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--state", action="append", default=[])
    parser.add_argument("--dump", action="store_true")
    args = parser.parse_args()

    # The application answers from its main loop on a busy machine: wait
    # for it rather than give up after libatspi's 0.8 s default.
    Atspi.set_timeout(60000, 60000)
    app = find_application(args.pid, 60)
    if app is None:
        print(f"no application with process {args.pid} on the accessibility bus")
        return 2

    audit = Audit(args.dump)
    windows = 0
    for i in range(app.get_child_count()):
        window = app.get_child_at_index(i)
        if window is None:
            continue
        windows += 1
        audit.node(window, "", 0)

    for problem in audit.problems:
        print(problem)
    missing = [n for n in args.expect if n not in audit.names]
    for name in missing:
        print(f"expected a control named “{name}”, found none")
    wrong = []
    for expected in args.state:
        name, _, state = expected.rpartition("=")
        kind, present = STATES[state]
        roles = STATE_ROLES.get(kind)
        bearers = [states for role, states in audit.states.get(name, [])
                   if roles is None or role in roles]
        if not bearers:
            missing.append(name)
            print(f"expected a control named “{name}” that can be {state}, found none")
        elif any(states.contains(kind) != present for states in bearers):
            wrong.append(f"“{name}” is not {state}")
    for problem in wrong:
        print(problem)
    print(f"{audit.controls} controls in {windows} windows, {len(audit.problems)} problems")
    if missing:
        return 2
    if wrong:
        return 1
    return 1 if audit.problems else 0


if __name__ == "__main__":
    sys.exit(main())
