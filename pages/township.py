"""乡镇指挥: one township's whole situation (``?township=<code>``), or a picker when none is chosen."""

from components import shell, township_view

f = shell.page_frame("township")

code = township_view.chosen_township(f)
if code is None:
    township_view.picker(f)
else:
    township_view.render(code, f)
