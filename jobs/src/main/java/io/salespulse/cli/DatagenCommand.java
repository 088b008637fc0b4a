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
                a.intValue("seed", 42), a.doubleValue("malformed-rate", 0.0005), config, Map.of(), out);
    }

    static int generate(String outUri, LocalDate start, int days, double scale, long seed, double malformedRate,
                        SalespulseConfig config, Map<String, String> extraHadoop, PrintStream out) {
        if (days <= 0) {
            throw new UsageException("--days must be at least 1");
        }
        if (scale <= 0 || malformedRate < 0 || malformedRate >= 1) {
            throw new UsageException("--scale must be > 0 and --malformed-rate in [0, 1)");
        }
        String root = Uris.normalize(outUri);
        Progress progress = new Progress(out);
        progress.step("datagen", String.format("writing %d days from %s at scale %s (seed %d) to %s", days, start, scale, seed, root));
        LandingWriter writer = new LandingWriter(root, HadoopConf.from(config, extraHadoop), 50_000);
        LandingGenerator.Totals t = new LandingGenerator(writer, progress).generate(start, days, scale, seed, malformedRate);
        progress.step("datagen", String.format("done: %d snapshots, %,d CRM rows, %,d events, %,d malformed rows",
                t.snapshots(), t.crmRows(), t.events(), t.malformedRows()));
        return Salespulse.OK;
    }
}
