# Cycles per packet of bench_track's three modes, per capture (median
# over the rounds), from bench/results.dat (bench_track --dat), with the
# original PNE study's two figures on its iSCSI trace as the last group
# (baseline without PNE 1,430, with PNE 1,871; it has no flow-only
# figure). Log scale: the small HTTP captures' cost per packet is set by
# header parsing and connection setup, two orders above the others.
#
#   gnuplot bench/plot.gnuplot      (from the repository root)
#   gnuplot -e "dir='OUT'" bench/plot.gnuplot   (OUT/results.dat, as
#                                                bench/run_all.sh writes it)
#
# results.dat columns: label packets parse_min parse_med flow_min flow_med
# full_min full_med
if (!exists("dir")) dir = "bench"
set terminal pngcairo size 1100,600 font ",10" noenhanced
set output "bench/cycles_per_packet.png"
set title "PNE: TSC cycles per packet, median of rounds (Xeon 2.6 GHz, shared 2-core VM)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [10:30000]
set ylabel "cycles / packet (log scale)"
set grid ytics
set key top right box opaque
set xtics rotate by -30 left
set datafile commentschars "#"
set datafile missing "NaN"
data = "< cat ".dir."/results.dat; echo 'study-iSCSI-MPEG 0 1430 1430 NaN NaN 1871 1871'"
plot data using 4:xtic(1) title "parse only (study: baseline without PNE)", \
     "" using 6 title "parse + flow table", \
     "" using 8 title "parse + flow + tracker (study: with PNE)"
