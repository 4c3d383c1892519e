"""乡镇对比: every township on the same figures, with data freshness; sortable, exportable, linked."""

from components import shell, township_view

f = shell.page_frame("township_ranking", period=False)

township_view.ranking_table(f)
