# The scaling runs (bench/scale.sh) and the line-rate budget
# (bench/linerate.py), from the .dat files in dir (default bench/results):
#
#   gnuplot -e "dir='OUT'" bench/plot_scale.gnuplot   (from the repository root)
#
# scale_*.dat columns: label packets flows_peak cpp_cold cpp_min cpp_med
# mpps_med conn_per_s bytes_per_flow state_per_flow adus examined
# payload_packets. linerate.dat: label cycles then the share of one core
# at 10G/40G/100G with 64-byte frames, then with 1,500-byte frames.
if (!exists("dir")) dir = "bench/results"
set terminal pngcairo size 1200,900 font ",10" noenhanced
set output "bench/scaling.png"
set multiplot layout 2,2 title "PNE pipeline, one worker: bench_scale over gen_trace traces (Xeon 2.6 GHz, shared 2-core VM)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set xtics rotate by -30 left
set key top left
set datafile commentschars "#"

set title "concurrent connections: cycles/packet (median; cold = first round)"
set logscale y
set ylabel "TSC cycles / packet"
plot dir."/scale_flows.dat" using 6:xtic(1) title "warm median", "" using 4 title "cold round"

set title "ADU size (100 connections): cycles/packet"
plot dir."/scale_size.dat" using 6:xtic(1) title "warm median", "" using 4 title "cold round"

set title "memory per connection (flow table + tracker state), bytes"
set ylabel "bytes / connection"
plot dir."/scale_flows.dat" using 9:xtic(1) title "table + state", \
     "" using 10 title "tracker state", 268.435456 * 1000 / 1000 with lines lw 2 \
     title "target: 256 MiB / 1M connections (268 B)"

set title "reordering (swapped segments, %) and short connections"
unset logscale y
set ylabel "TSC cycles / packet"
plot "< cat ".dir."/scale_ooo.dat ".dir."/scale_new.dat" using 6:xtic(1) title "warm median"
unset multiplot

set output "bench/linerate.png"
set title "Share of one core needed at line rate (TSC cycles/packet x packets/s / TSC Hz; 1 = one core)"
set logscale y
set ylabel "cores"
set key top left
set xtics rotate by -40 left font ",8"
set yrange [0.01:*]
plot dir."/linerate.dat" using 3:xtic(1) title "10G 64B", "" using 5 title "100G 64B", \
     "" using 6 title "10G 1500B", "" using 8 title "100G 1500B", 1 with lines lw 2 title "one core"
