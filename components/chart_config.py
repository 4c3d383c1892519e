"""The one Plotly configuration of every chart in the app."""

# No Plotly mode bar: its "Download plot as a png" bypassed our file names and the audit log
# (our PNG/SVG buttons sit under every chart), and its tooltips are English only. Drag to
# zoom and double-click to reset still work.
PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False}
