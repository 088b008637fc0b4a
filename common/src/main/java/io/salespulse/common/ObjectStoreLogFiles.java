package io.salespulse.common;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.execution.streaming.checkpointing.CheckpointFileManager;
import org.apache.spark.sql.execution.streaming.checkpointing.FileSystemBasedCheckpointFileManager;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How Delta writes a table's checksum file ({@code _delta_log/<version>.crc}) after each commit:
 * Spark's {@code CheckpointFileManager}, named by {@value #SETTING}. Spark's default writes a
 * temporary file and renames it, which an object store does as a copy and a delete, with S3A's
 * probes around each step: ~20 requests per commit, a fifth of what a small nightly run sends to
 * S3. Where the store's output streams can be aborted (S3A), the file is written where it belongs
 * instead: an object appears only when its upload completes, so a reader sees the whole file or
 * none, and a write that fails is aborted (what Spark's {@code AbortableStreamBasedCheckpointFileManager}
 * in spark-hadoop-cloud does). Any other file system renames, as before.
 */
public final class ObjectStoreLogFiles extends FileSystemBasedCheckpointFileManager {

    /** The Spark setting (read from the session's Hadoop configuration) that names this class. */
    public static final String SETTING = "spark.sql.streaming.checkpointFileManagerClass";

    private static final String ABORTABLE = "fs.capability.outputstream.abortable";

    public ObjectStoreLogFiles(Path path, Configuration hadoopConf) {
        super(path, hadoopConf);
    }

    @Override
    public CheckpointFileManager.CancellableFSDataOutputStream createAtomic(Path path, boolean overwriteIfPossible) {
        try {
            if (!fs().hasPathCapability(path, ABORTABLE)) {
                return super.createAtomic(path, overwriteIfPossible);
            }
            FSDataOutputStream stream = fs().create(path, overwriteIfPossible);
            return new CheckpointFileManager.CancellableFSDataOutputStream(stream) {
                @Override
                public void cancel() {
                    stream.abort(); // the upload is dropped: no object, not even an empty one
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + path, e);
        }
    }
}
