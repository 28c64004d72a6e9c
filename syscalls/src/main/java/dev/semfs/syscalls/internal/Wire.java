package dev.semfs.syscalls.internal;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.semfs.syscalls.Op;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Instant;

/**
 * The loopback protocol between a daemon and its clients. Each message is a 4-byte big-endian
 * length and a JSON document, format {@link #FORMAT}:
 * <pre>
 * request   {"format":1, "caller":{Caller}, "op":{"type":"ReadFile", ...record fields}}
 * response  {"result":{...response record}}  or  {"error":{"code":"NOT_FOUND","path":"/a","message":"..."}}
 * </pre>
 * Op records go as they are, named by their simple class name; byte arrays as base64.
 */
public final class Wire {
    public static final int FORMAT = 1;
    /** Large enough for the biggest read (64 MiB) in base64. */
    static final int MAX_FRAME = 100 << 20;
    public static final ObjectMapper JSON = mapper();

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    private interface OpMixin {}

    public record Request(int format, dev.semfs.syscalls.Caller caller, Op<?> op) {}

    public record Failure(String code, String path, String message) {}

    private Wire() {}

    private static ObjectMapper mapper() {
        ObjectMapper m = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        m.addMixIn(Op.class, OpMixin.class);
        registerOps(m, Op.class);
        SimpleModule time = new SimpleModule("instants");
        time.addSerializer(Instant.class, new JsonSerializer<>() {
            @Override
            public void serialize(Instant v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(v.toString());
            }
        });
        time.addDeserializer(Instant.class, new JsonDeserializer<>() {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext c) throws IOException {
                return Instant.parse(p.getValueAsString());
            }
        });
        m.registerModule(time);
        return m;
    }

    /** Registers every record below a sealed interface (sub-interfaces included), named by simple name. */
    private static void registerOps(ObjectMapper m, Class<?> sealed) {
        for (Class<?> c : sealed.getPermittedSubclasses()) {
            if (c.isInterface()) registerOps(m, c);
            else m.registerSubtypes(new NamedType(c, c.getSimpleName()));
        }
    }

    /** The response type R of a request record implementing Op&lt;R&gt;. */
    static Class<?> responseType(Class<?> opClass) {
        for (Type t : opClass.getGenericInterfaces()) {
            if (t instanceof ParameterizedType p && Op.class.isAssignableFrom((Class<?>) p.getRawType())) {
                return (Class<?>) p.getActualTypeArguments()[0];
            }
        }
        throw new IllegalArgumentException(opClass + " is not an Op record");
    }

    static void write(DataOutputStream out, byte[] json) throws IOException {
        out.writeInt(json.length);
        out.write(json);
        out.flush();
    }

    /** Reads one frame, or null at a clean end of stream. */
    static byte[] read(DataInputStream in) throws IOException {
        int len;
        try {
            len = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (len < 0 || len > MAX_FRAME) throw new IOException("bad frame length " + len);
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }
}
