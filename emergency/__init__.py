"""一图研判: situational awareness for county emergency-management bureaus (non-UI core)."""

from emergency import logsafe

logsafe.install()
