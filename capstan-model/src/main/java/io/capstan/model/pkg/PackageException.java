package io.capstan.model.pkg;

/**
 * An archive or folder that cannot be used as an application package: an unsafe entry (absolute path,
 * '..', a link leading outside), an unsupported entry type, a size limit exceeded, or data that is not a
 * .tar.gz. It is bad input, so it is an {@link IllegalArgumentException}; real I/O failures stay IOExceptions.
 */
public class PackageException extends IllegalArgumentException {

    public PackageException(String message) {
        super(message);
    }

    public PackageException(String message, Throwable cause) {
        super(message, cause);
    }
}
