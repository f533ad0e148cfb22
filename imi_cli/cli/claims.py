"""`imi claims`: team-wide claims through the git remote (turn on, off, list)."""

from __future__ import annotations

import click

from ..memory import ago, now_ms
from .app import App
from .options import pass_app


@click.command()
@click.option("--remote", metavar="NAME", help="Turn team-wide claims on through this git remote (commit "
              ".imi/claims-remote so every clone uses it).")
@click.option("--off", is_flag=True, help="Turn team-wide claims off.")
@pass_app
def claims(app: App, remote, off):
    """Team-wide claims: list who holds what on the team's git remote, and report double claims."""
    project = app.project()
    if remote or off:
        project.configure_team_claims(None if off else remote)
        app.out.result({"remote": None if off else remote},
                       "Team-wide claims off" if off else
                       f"Team-wide claims on through {remote}: commit .imi/claims-remote to share the setting")
        return
    team = project.team_claims()
    if team is None:
        app.out.result({"remote": None, "claims": []},
                       "Team-wide claims are off (turn them on with `imi claims --remote origin`)")
        return
    problems = project.team_claim_report()
    now = now_ms()
    holders = team.listing()
    lines = [f"Team claims on {team.remote}: {len(holders)}"]
    lines += [f"  {h.task}  {h.agent}  (heartbeat {ago(h.heartbeat_at, now)})" for h in holders]
    app.out.result({"remote": team.remote, "claims": [{"task": h.task, "agent": h.agent, "node": h.node,
                    "claimed_at": h.claimed_at, "heartbeat_at": h.heartbeat_at} for h in holders],
                    "problems": problems}, "\n".join(lines + problems))


COMMANDS = [claims]
