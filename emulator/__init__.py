"""Local emulator of HTTP-triggered Azure Logic Apps and Power Automate workflows."""

__version__ = "0.1.0"
