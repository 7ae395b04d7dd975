"""The end-to-end pilot: a simulated cash-assistance round on real components."""

from zkaid.pilot.config import PilotConfig
from zkaid.pilot.report import PilotReport
from zkaid.pilot.run import run_pilot

__all__ = ["PilotConfig", "PilotReport", "run_pilot"]
