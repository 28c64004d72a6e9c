package dev.semfs.errors;

import java.nio.file.FileSystemException;

/**
 * A failure of the core API that has no exact java.nio.file exception: an invalid argument or
 * path, a directory where a file was expected, a full store, a stale handle. Where java.nio.file
 * has the exact type (NoSuchFileException, FileAlreadyExistsException...), that type is thrown
 * instead, and {@link ErrorCode#of} classifies both.
 */
public final class SemfsException extends FileSystemException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public SemfsException(ErrorCode code, String path, String reason) {
        super(path, null, reason);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static SemfsException invalid(String path, String reason) {
        return new SemfsException(ErrorCode.INVALID_ARGUMENT, path, reason);
    }

    public static SemfsException isDirectory(String path) {
        return new SemfsException(ErrorCode.IS_DIRECTORY, path, "is a directory");
    }
}
