# dpdk-pne --bench: TSC cycles per packet, forwarding only against
# tracking (median of the rounds), per trace, from pmd_cost.dat
# (bench/pmd_cost.sh), with the original PNE study's three pairs
# (baseline without PNE, with PNE) as the last groups. Log scale: the
# in-memory forward pass costs tens of cycles, header-dense HTTP
# thousands.
#
#   gnuplot -e "dir='OUT'" bench/plot_pmd_cost.gnuplot   (OUT/pmd_cost.dat)
#
# pmd_cost.dat columns: label frames mean_bytes fwd_min fwd_med trk_min
# trk_med overhead_pct_med added_cyc trk_mpps trk_gbps trk_gbps1500 adus
# ir_fwd ir_trk
if (!exists("dir")) dir = "bench/results"
set terminal pngcairo size 1200,620 font ",10" noenhanced
set output "bench/pmd_cost.png"
set title "dpdk-pne --bench: TSC cycles per packet, forward vs track (shared, loaded 2-vCPU VM)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [5:30000]
set ylabel "cycles / packet (log scale)"
set grid ytics
set key top left box opaque
set xtics rotate by -30 left
set rmargin 12
set bmargin 9
set datafile commentschars "#"
data = "< cat ".dir."/pmd_cost.dat; " . \
       "echo 'study-iSCSI-regression 0 0 1430 1430 1871 1871'; " . \
       "echo 'study-iSCSI-one-loss 0 0 1328 1328 1937 1937'; " . \
       "echo 'study-Apache-compile 0 0 1591 1591 2104 2104'"
plot data using 5:xtic(1) title "forward only (study: without PNE)", \
     "" using 6 title "forward + track http,iscsi, minimum of rounds", \
     "" using 7 title "forward + track http,iscsi, median (study: with PNE)"
