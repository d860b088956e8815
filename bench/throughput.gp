# Chart of the maximum throughput per scenario and server, from the data file the report verb writes.
# Called by run.sh with: datafile, outfile, rsa_limit (RSA-2048 signatures/s on every core), cores.
set terminal pngcairo size 1100,620 font "sans,10"
set output outfile
set title "IdentityBridge benchmark: maximum throughput per scenario (closed loop)\nthe dashed line is the ceiling for operations that make one RSA signature" noenhanced
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set autoscale y
set ylabel "operations per second (log scale)"
set grid ytics mytics
set key top left noenhanced autotitle columnheader
set xtics noenhanced
plot for [col=2:*] datafile using col:xtic(1) linecolor col-1, \
     (rsa_limit > 0 ? rsa_limit : NaN) with lines dashtype 2 linewidth 2 linecolor rgb "#b00000" \
       title sprintf("RSA-2048 signatures/s, %d cores (openssl speed -multi)", cores)
