"""The bundled demo portal: realistic government sites served on 127.0.0.1 for crawler tests, demos and benchmarks."""

from xxgk.portal.faults import FAULT_KINDS, SLOW_SECONDS
from xxgk.portal.portal import DemoPortal, DemoSite, placeholder
from xxgk.portal.server import LoggedRequest

__all__ = ["DemoPortal", "DemoSite", "FAULT_KINDS", "LoggedRequest", "SLOW_SECONDS", "placeholder"]
