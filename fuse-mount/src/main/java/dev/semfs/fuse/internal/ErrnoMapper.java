package dev.semfs.fuse.internal;

import dev.semfs.errors.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure becomes an errno: every FUSE callback catches whatever its core
 * call threw and passes it here. Classification goes through {@link ErrorCode#of}, so the mount
 * agrees with the CLI and MCP on what an exception means. Anything the core did not classify
 * (a bug, a RocksDB failure) becomes EIO and is logged with its stack trace; expected failures
 * (ENOENT from a shell probing for files) are logged at debug level only.
 *
 * <p>Thread-safe (stateless).
 */
final class ErrnoMapper {

    /** A request the mount refuses by design (POSIX ACL xattrs): EOPNOTSUPP, so tools fall back. */
    static final class NotSupported extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        NotSupported(String message) {
            super(message);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ErrnoMapper.class);

    private static final boolean TRACE = System.getenv("SEMFS_FUSE_TRACE") != null;

    private ErrnoMapper() {}

    /** The positive errno for {@code failure} raised by callback {@code callback} on {@code path}. */
    static int errno(String callback, String path, Throwable failure) {
        if (failure instanceof NotSupported) return Errno.EOPNOTSUPP;
        ErrorCode code = ErrorCode.of(failure);
        int errno = switch (code) {
            case NOT_FOUND -> Errno.ENOENT;
            case NO_ATTRIBUTE -> Errno.ENODATA;
            case EXISTS -> Errno.EEXIST;
            case NOT_EMPTY -> Errno.ENOTEMPTY;
            case NOT_DIRECTORY -> Errno.ENOTDIR;
            case IS_DIRECTORY -> Errno.EISDIR;
            case ACCESS_DENIED -> Errno.EACCES;
            case INVALID_ARGUMENT, NOT_LINK -> Errno.EINVAL;
            case LOOP -> Errno.ELOOP;
            case CROSS_DEVICE -> Errno.EXDEV;
            case NOT_PERMITTED -> Errno.EPERM;
            case NO_SPACE -> Errno.ENOSPC;
            case TOO_LARGE -> Errno.EFBIG;
            case BAD_HANDLE -> Errno.EBADF;
            case READ_ONLY -> Errno.EROFS;
            // A lease held by another agent: the caller may retry, as with a held lock.
            case CONFLICT -> Errno.EBUSY;
            case IO -> Errno.EIO;
        };
        if (errno == Errno.EIO) {
            LOG.warn("{} {} failed: {}", callback, path, failure.toString(), failure);
        } else if (TRACE || LOG.isDebugEnabled()) {
            if (TRACE) System.err.println(callback + " " + path + " -> errno " + errno + ": " + failure);
            LOG.debug("{} {} -> errno {}: {}", callback, path, errno, failure.toString());
        }
        return errno;
    }
}
