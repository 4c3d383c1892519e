"""降雨趋势: hyetograph, gauge ranking, township × interval table and township comparison."""

from components import charts, shell

f = shell.page_frame("trends_rain")

charts.hyetograph(f)
charts.station_ranking(f)
charts.township_heat(f)
charts.township_comparison(f)
