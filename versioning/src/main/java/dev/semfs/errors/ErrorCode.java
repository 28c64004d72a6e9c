package dev.semfs.errors;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * The error vocabulary every front end maps from, in one place: the FUSE adapter turns a code
 * into an errno, the CLI into an exit status and message, MCP into an error result, and the
 * loopback transport carries the code so the client rethrows the same exception type.
 */
public enum ErrorCode {
    NOT_FOUND, EXISTS, NOT_EMPTY, NOT_DIRECTORY, IS_DIRECTORY, ACCESS_DENIED, INVALID_ARGUMENT,
    NOT_LINK, LOOP, CROSS_DEVICE, NOT_PERMITTED, NO_ATTRIBUTE, NO_SPACE, TOO_LARGE, BAD_HANDLE, READ_ONLY, CONFLICT, IO;

    /** Classifies any throwable raised by the core API. */
    public static ErrorCode of(Throwable t) {
        return switch (t) {
            case SemfsException e -> e.code();
            case NoSuchFileException e -> NOT_FOUND;
            case FileAlreadyExistsException e -> EXISTS;
            case DirectoryNotEmptyException e -> NOT_EMPTY;
            case NotDirectoryException e -> NOT_DIRECTORY;
            case AccessDeniedException e -> ACCESS_DENIED;
            case NotLinkException e -> NOT_LINK;
            case FileSystemLoopException e -> LOOP;
            case IllegalArgumentException e -> INVALID_ARGUMENT;
            default -> IO;
        };
    }

    /** The code in a few plain words, as every front end says it: "no such file or directory". */
    public String phrase() {
        return switch (this) {
            case NOT_FOUND -> "no such file or directory";
            case EXISTS -> "already exists";
            case NOT_EMPTY -> "directory not empty";
            case NOT_DIRECTORY -> "not a directory";
            case IS_DIRECTORY -> "is a directory";
            case ACCESS_DENIED -> "permission denied";
            case INVALID_ARGUMENT -> "invalid argument";
            case NOT_LINK -> "not a symbolic link";
            case LOOP -> "too many levels of symbolic links";
            case CROSS_DEVICE -> "cross-device link";
            case NOT_PERMITTED -> "operation not permitted";
            case NO_ATTRIBUTE -> "no such extended attribute";
            case NO_SPACE -> "no space left in the store";
            case TOO_LARGE -> "too large";
            case BAD_HANDLE -> "stale or unknown file handle";
            case READ_ONLY -> "read-only";
            case CONFLICT -> "conflict";
            case IO -> "I/O error";
        };
    }

    /** Rebuilds the exception a code stands for, so remote callers see the same types as local ones. */
    public IOException toException(String path, String message) {
        return switch (this) {
            case NOT_FOUND -> new NoSuchFileException(path, null, message);
            case EXISTS -> new FileAlreadyExistsException(path, null, message);
            case NOT_EMPTY -> new DirectoryNotEmptyException(path);
            case NOT_DIRECTORY -> new NotDirectoryException(path);
            case ACCESS_DENIED -> new AccessDeniedException(path, null, message);
            case NOT_LINK -> new NotLinkException(path, null, message);
            case LOOP -> new FileSystemLoopException(path);
            case IO -> new IOException(message);
            default -> new SemfsException(this, path, message);
        };
    }
}
