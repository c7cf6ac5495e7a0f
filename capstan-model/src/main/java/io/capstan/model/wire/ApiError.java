package io.capstan.model.wire;

/** The body of every error response: {@code {"error": {"code": "...", "message": "..."}}}. */
public record ApiError(Detail error) {

    public static ApiError of(String code, String message) {
        return new ApiError(new Detail(code, message));
    }

    /** A machine-readable code and a message that names the field and the fix. */
    public record Detail(String code, String message) {
    }
}
