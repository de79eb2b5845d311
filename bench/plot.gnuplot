# SPDX-License-Identifier: GPL-2.0-or-later
# bench/plot.gnuplot: bench.png from the data bench/report.py writes (run in the results dir).
#   plot-time.dat: i "label" median p10 p90          (seconds, loopback, true offset 0)
#   plot-err.dat:  i "label" l0_med l0_worst wan_med wan_worst   (µs; < 1 µs drawn at 0.5)
set terminal pngcairo size 1400,1000 font "DejaVu Sans,11"
set output "bench.png"
set multiplot layout 2,1 title "ntpsync and its peers: one make-bench run (sandbox loopback)" font ",14"
set style fill solid 0.75 border -1
set grid ytics mytics lc rgb "#dddddd"
set xtics rotate by 20 right nomirror font ",10"
set key top left
set lmargin 12
set bmargin 6

set title "Time to result (median; bars: p10 - p90), log scale"
set logscale y
set ylabel "seconds"
set format y "10^{%T}"
stats "plot-time.dat" using 1 nooutput
set xrange [-0.6:STATS_max + 0.6]
set yrange [1e-4:30]
set boxwidth 0.6
plot "plot-time.dat" using 1:3:xtic(2) with boxes lc rgb "#4a90d9" notitle, \
     "" using 1:3:4:5 with yerrorbars lc rgb "black" pt 0 notitle, \
     "" using 1:($5*1.6):(($3 < 1e-2) ? sprintf("%.2f ms", $3*1e3) : ($3 < 1 ? sprintf("%.0f ms", $3*1e3) : sprintf("%.2f s", $3))) \
        with labels font ",10" notitle

set title "Offset error (median; bars up to the worst run; below 1 µs drawn at 0.5 µs), log scale"
set ylabel "µs"
set format y "%g"
set yrange [0.3:30000]
set boxwidth 0.35
plot "plot-err.dat" using ($1-0.19):3:xtic(2) with boxes lc rgb "#5cb85c" title "loopback, true offset 0", \
     "" using ($1-0.19):3:3:4 with yerrorbars lc rgb "black" pt 0 notitle, \
     "" using ($1+0.19):5 with boxes lc rgb "#f0ad4e" title "wan path: 15 ms + jitter each way", \
     "" using ($1+0.19):5:5:6 with yerrorbars lc rgb "black" pt 0 notitle
unset multiplot
