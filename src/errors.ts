/**
 * aekit's typed errors. Library code throws these; only the CLI turns them into a line on stderr
 * and an exit code (2 for a user's mistake, 1 for anything else).
 */

/** Base class: every error aekit throws on purpose. */
export class AekitError extends Error {
  override name = 'AekitError';
}

/** Tensors whose shapes do not fit an operation; the message names the op and both shapes. */
export class ShapeError extends AekitError {
  override name = 'ShapeError';
}

/** The API used in a way it does not support (a freed tensor, a wrong array type, a bad option). */
export class UsageError extends AekitError {
  override name = 'UsageError';
}

/**
 * An output folder that cannot be used as it is (a file, a folder with other output, one with
 * files aekit did not write). Its message speaks the library's language (`{ force: true }`); the
 * command line, whose folders are `--out` and whose force is `--force`, says `cliMessage`.
 */
export class OutputFolderError extends UsageError {
  override name = 'OutputFolderError';
  constructor(message: string, readonly cliMessage: string) {
    super(message);
  }
}

/** A NaN or Inf produced during training, naming the step and the op. */
export class NumericError extends AekitError {
  override name = 'NumericError';
}

/** Input data that is not what it claims: the message names the file, the position and what was expected. */
export class DataError extends AekitError {
  override name = 'DataError';
}

/** A label column asked for that the CSV or Arrow file does not have. */
export class MissingColumnError extends DataError {
  override name = 'MissingColumnError';
}

/** A backend that was asked for but cannot be had (native forced but not built). */
export class BackendError extends AekitError {
  override name = 'BackendError';
}
