package dev.semfs.cli.internal;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The --json output: one compact JSON document per command on stdout. Records are written by
 * their components only (fields), so convenience methods such as FileInfo.isDirectory() never
 * leak into the shape scripts depend on; byte arrays become base64 strings.
 */
final class Json {
    private Json() {}

    // Built on first use only: plain-text runs never pay for Jackson's start-up.
    private static final class Holder {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
                .setVisibility(PropertyAccessor.FIELD, Visibility.ANY)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }

    /** A JSON object whose keys keep the given order (key, value, key, value ...). */
    static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    static String write(Object value) {
        try {
            return Holder.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
