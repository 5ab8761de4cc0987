# Times R fixest (one thread) on the two gravity benchmarks; writes JSON.
# Usage: Rscript fixest_bench.R TRADE_CSV PANEL_CSV OUT_JSON [REPEATS]
# Each model is fitted once as a warm-up, then REPEATS times; the median wall time of the
# `fepois` call is reported (data already in a data.frame), with its CPU time (user + system).
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(fixest))
setFixest_nthreads(1)
setFixest_notes(FALSE)
reps <- if (length(args) > 3) as.integer(args[4]) else 3
res <- list(fixest_version = as.character(packageVersion("fixest")),
            r_version = paste(R.version$major, R.version$minor, sep = "."))
run <- function(name, path, fml, cl, coef) {
  t <- system.time(df <- read.csv(path))["elapsed"]
  if (name == "panel") df$pair <- paste(df$exporter, df$importer, sep = "_")
  est <- fepois(fml, df, vcov = cl)  # warm-up
  times <- replicate(reps, system.time(est <- fepois(fml, df, vcov = cl)))
  list(read_seconds = unname(t), fit_seconds = median(times["elapsed", ]),
       fit_seconds_all = unname(times["elapsed", ]),
       fit_cpu_seconds = median(times["user.self", ] + times["sys.self", ]),
       coef = unname(coef(est)[coef]), se = unname(se(est)[coef]), nobs = nobs(est),
       iterations = est$iterations)
}
res$fixest_trade <- run("fixest_trade", args[1],
  Euros ~ log(dist_km) | Origin + Destination + Product + Year, ~Origin, "log(dist_km)")
res$panel <- run("panel", args[2],
  value ~ rta | exporter^year + importer^year + exporter^importer, ~pair, "rta")
rss <- tryCatch({
  s <- readLines("/proc/self/status"); as.numeric(sub("[^0-9]*([0-9]+).*", "\\1", s[grepl("^VmHWM", s)])) / 1024
}, error = function(e) NA)
res$peak_rss_mb <- rss
fmt <- function(x) if (is.list(x)) paste0("{", paste(sprintf('"%s": %s', names(x), sapply(x, fmt)), collapse = ", "), "}") else if (is.character(x)) sprintf('"%s"', x) else if (length(x) > 1) paste0("[", paste(sprintf("%.17g", x), collapse = ", "), "]") else sprintf("%.17g", x)
writeLines(fmt(res), args[3])
cat(fmt(res), "\n")
