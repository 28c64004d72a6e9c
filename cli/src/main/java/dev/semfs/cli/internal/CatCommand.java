package dev.semfs.cli.internal;

import dev.semfs.syscalls.Content;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "cat", description = "Write workspace files to stdout.")
final class CatCommand extends WorkspaceCommand {

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Workspace files.")
    List<String> paths;

    @Override
    int run(Session s) throws IOException {
        int status = SemfsCli.OK;
        List<Map<String, Object>> files = new ArrayList<>();
        for (String p : paths) {
            try {
                if (s.json()) {
                    ByteArrayOutputStream buf = new ByteArrayOutputStream();
                    Content last = Transfers.read(s, p, buf::write);
                    files.add(fileJson(last, buf.toByteArray()));
                } else {
                    Transfers.read(s, p, (b, off, len) -> {
                        s.out().write(b, off, len);
                        // PrintStream swallows write errors: stop reading once stdout is gone
                        // (`semfs cat big | head`), instead of reading the rest for nothing.
                        if (s.out().checkError()) throw new ClosedStdout();
                    });
                }
            } catch (ClosedStdout e) {
                return SemfsCli.FAILED;
            } catch (IOException | RuntimeException e) {
                s.out().flush();
                status = Math.max(status, s.fail(e));
            }
        }
        if (s.json()) s.printJson(Json.object("files", files, "errors", s.errors()));
        return status;
    }

    /** Thrown when stdout is closed by the reader; nothing is left to report to. */
    private static final class ClosedStdout extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** Text stays readable in JSON; anything that is not valid UTF-8 is carried as base64. */
    private static Map<String, Object> fileJson(Content c, byte[] data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", c.path());
        m.put("size", data.length);
        m.put("version", c.version());
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data)).toString();
            m.put("encoding", "utf-8");
            m.put("content", text);
        } catch (CharacterCodingException e) {
            m.put("encoding", "base64");
            m.put("content", Base64.getEncoder().encodeToString(data));
        }
        return m;
    }
}
