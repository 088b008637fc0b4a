package io.salespulse.staging;

import io.salespulse.ingest.SourceObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The staging model of one source object: which landed columns it keeps, under which
 * snake_case name and type, and which must be present for a row to be usable. Staging is 1:1
 * with the source object: rename, cast, no joins.
 */
public record StagedObject(SourceObject source, List<Field> fields) {

    public record Field(String sourceName, String name, Typing.Type type, boolean required) {
    }

    public static Builder of(SourceObject source) {
        return new Builder(source);
    }

    public static final class Builder {
        private final SourceObject source;
        private final List<Field> fields = new ArrayList<>();

        private Builder(SourceObject source) {
            this.source = source;
            if (!source.isSegment()) {
                fields.add(new Field("Id", "id", Typing.Type.STRING, true));
                fields.add(new Field("IsDeleted", "is_deleted", Typing.Type.BOOLEAN, false));
                fields.add(new Field("CreatedDate", "created_at", Typing.Type.TIMESTAMP, true));
                fields.add(new Field("SystemModstamp", "system_modstamp", Typing.Type.TIMESTAMP, true));
            }
        }

        public Builder field(String sourceName, String name, Typing.Type type) {
            fields.add(new Field(sourceName, name, type, false));
            return this;
        }

        public Builder required(String sourceName, String name, Typing.Type type) {
            fields.add(new Field(sourceName, name, type, true));
            return this;
        }

        public StagedObject build() {
            return new StagedObject(source, List.copyOf(fields));
        }
    }
}
