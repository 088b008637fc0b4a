package io.salespulse.cli;

import io.salespulse.common.HadoopConf;
import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.Uris;
import io.salespulse.datagen.LandingGenerator;
import io.salespulse.datagen.LandingWriter;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.Map;

/** {@code salespulse datagen}: a deterministic, realistic landing tree for demos, tests and benchmarks. */
final class DatagenCommand {

    private DatagenCommand() {
    }

    static int execute(Args a, SalespulseConfig config, PrintStream out) {
        return generate(a.require("out"), a.date("start"), a.intValue("days", 0), a.doubleValue("scale", 0.01),
                a.intValue("seed", 42), a.doubleValue("malformed-rate", 0.0005), a.get("shake-up") == null ? null : a.date("shake-up"),
                config, Map.of(), out);
    }

    /** @param shakeUp a day whose changes reach far into the past (a deal closed long ago reopened, old rates corrected, half the accounts gone), or null */
    static int generate(String outUri, LocalDate start, int days, double scale, long seed, double malformedRate, LocalDate shakeUp,
                        SalespulseConfig config, Map<String, String> extraHadoop, PrintStream out) {
        if (days <= 0) {
            throw new UsageException("--days must be at least 1");
        }
        if (shakeUp != null && (shakeUp.isBefore(start.plusDays(1)) || !shakeUp.isBefore(start.plusDays(days)))) {
            throw new UsageException("--shake-up must be a day after the first of the " + days + " days from " + start);
        }
        if (scale <= 0 || malformedRate < 0 || malformedRate >= 1) {
            throw new UsageException("--scale must be > 0 and --malformed-rate in [0, 1)");
        }
        String root = Uris.normalize(outUri);
        Progress progress = new Progress(out);
        progress.step("datagen", String.format("writing %d days from %s at scale %s (seed %d) to %s", days, start, scale, seed, root)
                + (shakeUp == null ? "" : "; on " + shakeUp + " a deal closed long ago reopens, the first rates are corrected and half the accounts are dropped from a full extract"));
        LandingWriter writer = new LandingWriter(root, HadoopConf.from(config, extraHadoop), 50_000);
        LandingGenerator.Totals t = new LandingGenerator(writer, progress).generate(start, days, scale, seed, malformedRate, shakeUp);
        progress.step("datagen", String.format("done: %d snapshots, %,d CRM rows, %,d events, %,d malformed rows",
                t.snapshots(), t.crmRows(), t.events(), t.malformedRows()));
        return Salespulse.OK;
    }
}
