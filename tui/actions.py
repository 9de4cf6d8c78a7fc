"""Management from the TUI: status, edit, retire, add a link, addresses, approvals, acks.

Every action is first checked against the token's role as the service told us
(:class:`tui.feed.Who`): a public or agent token is refused at once, without a request.
Then the service decides (a steward outside their zones, a volunteer on someone else's
node): its refusal (403), like any error, is shown as a notification naming the action
and the reason. Requests run in a thread worker; the change itself reaches the screens
through the event stream like anyone else's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.binding import Binding, BindingType
from textual.screen import Screen

from topology.client_models import (
    ClientError,
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
)
from tui.modals import ChoiceModal, ConfirmModal, FormModal
from tui.query import fuzzy_rank
from tui.state import STATUSES, short

if TYPE_CHECKING:
    from tui.app import MeshApp

#: Roles that may try to change things (the service has the last word).
MANAGERS = frozenset({"admin", "steward", "volunteer"})
LINK_TYPES = ("wds", "ap/client", "cable", "mesh", "tunnel")


def refusal(role: str, what: str) -> str | None:
    """Why ``role`` may not ``what`` at all, or ``None`` when the service must decide."""
    if role in MANAGERS:
        return None
    if role == "public":
        return f"{what}: refused, no token (read-only); start with --token"
    return f"{what}: refused, a {role} token may not change the network"


def explain(exc: ClientError) -> str:
    if isinstance(exc, Forbidden):
        return f"refused by the service: {exc.message}"
    if isinstance(exc, Unauthorized):
        return f"token refused: {exc.message}"
    if isinstance(exc, NotFound | Conflict):
        return exc.message
    return str(exc)


def perform(screen: Screen[Any], what: str, call: Callable[[], object], done: str = "") -> None:
    """Run ``call`` (a request) in a worker if the role allows; notify the outcome."""
    app = cast("MeshApp", screen.app)
    why = refusal(app.who.role, what)
    if why is not None:
        app.notify(why, title="Not allowed", severity="error")
        return

    def work() -> None:
        try:
            call()
        except ClientError as exc:
            app.call_from_thread(app.notify, explain(exc), title=f"{what} failed", severity="error")
            return
        app.call_from_thread(app.notify, done or f"{what}: done", title="Done")

    screen.run_worker(work, thread=True, group="actions", exit_on_error=False)


class NodeActions:
    """Node management keys for a screen that has a selected node (:meth:`action_target`)."""

    ACTION_BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "change_status", "Status"),
        Binding("e", "edit_node", "Edit", show=False),
        Binding("x", "retire_node", "Retire", show=False),
        Binding("L", "add_link", "Add link", show=False),
        Binding("A", "allocate", "Allocate", show=False),
        Binding("R", "release", "Release", show=False),
        Binding("y", "approve", "Approve", show=False),
        Binding("N", "reject", "Reject", show=False),
    ]

    def action_target(self) -> str | None:
        raise NotImplementedError

    def _screen(self) -> Screen[Any]:
        return cast(Screen[Any], self)

    def _app(self) -> MeshApp:
        return cast("MeshApp", self._screen().app)

    def _node(self) -> str | None:
        node = self.action_target()
        if node is None:
            self._app().notify("no node selected", severity="warning")
        return node

    def action_change_status(self) -> None:
        node = self._node()
        if node is None:
            return

        def chosen(status: str | None) -> None:
            if status:
                perform(self._screen(), f"status of {short(node)} → {status}",
                        lambda: self._app().api.set_status(node, status))  # fmt: skip

        self._app().push_screen(ChoiceModal(f"New status of {short(node)}", STATUSES), chosen)

    def action_edit_node(self) -> None:
        node = self._node()
        if node is None:
            return
        info = self._app().state.nodes.get(node, {})
        fields = [
            ("name", "Name", str(info.get("name", ""))),
            ("zone", "Zone", str(info.get("zone", ""))),
            ("role", "Role (client, supernode)", str(info.get("role", ""))),
        ]

        def edited(values: dict[str, str] | None) -> None:
            if not values:
                return
            changes = {k: v.strip() for k, v in values.items() if v.strip() != info.get(k, "")}
            if not changes:
                return
            perform(self._screen(), f"edit {short(node)}",
                    lambda: self._app().api.update_node(node, changes))  # fmt: skip

        self._app().push_screen(FormModal(f"Edit {short(node)}", fields), edited)

    def action_retire_node(self) -> None:
        node = self._node()
        if node is None:
            return

        def sure(yes: bool | None) -> None:
            if yes:
                perform(self._screen(), f"retire {short(node)}",
                        lambda: self._app().api.retire_node(node))  # fmt: skip

        question = f"Retire {short(node)}? Its status becomes Dropped (history is kept)."
        self._app().push_screen(ConfirmModal(question), sure)

    def action_approve(self) -> None:
        self._review(approve=True)

    def action_reject(self) -> None:
        self._review(approve=False)

    def _review(self, approve: bool) -> None:
        node = self._node()
        if node is None:
            return
        status = str(self._app().state.nodes.get(node, {}).get("status", ""))
        if status != "Planned":
            self._app().notify(f"{short(node)} is {status}, not Planned: nothing to review",
                               severity="warning")  # fmt: skip
            return
        new = "Building" if approve else "Dropped"
        verb = "approve" if approve else "reject"
        perform(self._screen(), f"{verb} {short(node)} ({new})",
                lambda: self._app().api.set_status(node, new))  # fmt: skip

    def action_add_link(self) -> None:
        node = self._node()
        if node is None:
            return
        fields = [
            ("to", "Other end (name or id)", ""),
            ("type", "Type: " + ", ".join(LINK_TYPES), "wds"),
        ]

        def filled(values: dict[str, str] | None) -> None:
            if not values:
                return
            app = self._app()
            cands = [(i, str(n.get("name", ""))) for i, n in app.state.nodes.items() if i != node]
            found = fuzzy_rank(values["to"], cands, limit=1)
            if not found:
                app.notify(f"no node matches {values['to']!r}", severity="error")
                return
            other, typ = found[0], values["type"].strip() or "wds"
            body = {"a": node, "b": other, "type": typ}
            perform(self._screen(), f"link {short(node)} — {short(other)}",
                    lambda: app.api.add_link(body, allocate=True))  # fmt: skip

        self._app().push_screen(FormModal(f"Add a link from {short(node)} (with its /30)", fields),
                                filled)  # fmt: skip

    def action_allocate(self) -> None:
        node = self._node()
        if node is None:
            return

        def chosen(purpose: str | None) -> None:
            if purpose:
                perform(self._screen(), f"allocate {purpose} for {short(node)}",
                        lambda: self._app().api.allocate(purpose, "node", node))  # fmt: skip

        self._app().push_screen(ChoiceModal(f"Allocate for {short(node)}", ("lan", "ipv6")), chosen)

    def action_release(self) -> None:
        node = self._node()
        if node is None:
            return
        held = self._app().state.addresses.get(node, [])
        if not held:
            self._app().notify(f"{short(node)} holds no address", severity="warning")
            return

        def chosen(prefix: str | None) -> None:
            if prefix:
                perform(self._screen(), f"release {prefix}",
                        lambda: self._app().api.release(prefix))  # fmt: skip

        self._app().push_screen(ChoiceModal(f"Release which of {short(node)}'s?", held), chosen)
