package io.salespulse.common;

import io.salespulse.testing.LocalS3Extension;
import io.salespulse.testing.SparkTestBase;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.execution.streaming.checkpointing.CheckpointFileManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delta's checksum files are written through {@link ObjectStoreLogFiles}: in place on S3 (the object
 * appears whole when its upload completes, and not at all when the write is cancelled), renamed from
 * a temporary file on any other file system.
 */
@ExtendWith(LocalS3Extension.class)
class ObjectStoreLogFilesTest extends SparkTestBase {

    @Test
    void onS3AFileIsWrittenInPlaceAndACancelledOneNeverAppears() throws IOException {
        Configuration conf = spark().sparkContext().hadoopConfiguration();
        Path dir = new Path(LocalS3Extension.freshUri("log-files") + "/_delta_log");
        FileSystem fs = dir.getFileSystem(conf);
        ObjectStoreLogFiles files = new ObjectStoreLogFiles(dir, conf);

        Path written = new Path(dir, "00000000000000000001.crc");
        CheckpointFileManager.CancellableFSDataOutputStream out = files.createAtomic(written, false);
        // no temporary file to rename: the stream is S3A's own, uploading to the final key
        assertThat(out.getClass().getName()).doesNotContain("RenameBased");
        out.write("{\"numFiles\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(fs.exists(written)).as("visible before the upload completes").isFalse();
        out.close();
        try (var in = fs.open(written)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"numFiles\":1}");
        }

        Path cancelled = new Path(dir, "00000000000000000002.crc");
        CheckpointFileManager.CancellableFSDataOutputStream half = files.createAtomic(cancelled, false);
        half.write("{\"numFi".getBytes(StandardCharsets.UTF_8));
        half.cancel();
        assertThat(fs.exists(cancelled)).as("a cancelled write leaves no object").isFalse();
        assertThat(names(fs.listStatus(dir))).containsExactly("00000000000000000001.crc");
    }

    @Test
    void onLocalFilesAFileIsRenamedIntoPlaceAsSparkDoes() throws IOException {
        Configuration conf = spark().sparkContext().hadoopConfiguration();
        Path dir = new Path(workDir("log-files").toUri().toString(), "_delta_log");
        ObjectStoreLogFiles files = new ObjectStoreLogFiles(dir, conf);
        Path written = new Path(dir, "00000000000000000001.crc");
        CheckpointFileManager.CancellableFSDataOutputStream out = files.createAtomic(written, false);
        assertThat(out.getClass().getName()).contains("RenameBased");
        out.write('x');
        out.close();
        FileSystem fs = dir.getFileSystem(conf);
        assertThat(fs.exists(written)).isTrue();
        assertThat(names(fs.listStatus(dir))).contains("00000000000000000001.crc").noneMatch(n -> n.contains(".tmp"));
    }

    @Test
    void theSessionHandsDeltaThisClass() {
        assertThat(spark().conf().get(ObjectStoreLogFiles.SETTING)).isEqualTo(ObjectStoreLogFiles.class.getName());
    }

    private static List<String> names(FileStatus[] statuses) {
        return Arrays.stream(statuses).map(s -> s.getPath().getName()).sorted().toList();
    }
}
