"""The errors the double's servicers turn into gRPC status codes."""

from __future__ import annotations

import grpc


class AdminError(Exception):
    """An error with the gRPC status code FlyteAdmin would answer with."""

    def __init__(self, code: grpc.StatusCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(message: str) -> AdminError:
    return AdminError(grpc.StatusCode.NOT_FOUND, message)


def already_exists(message: str) -> AdminError:
    return AdminError(grpc.StatusCode.ALREADY_EXISTS, message)


def invalid_argument(message: str) -> AdminError:
    return AdminError(grpc.StatusCode.INVALID_ARGUMENT, message)


def failed_precondition(message: str) -> AdminError:
    return AdminError(grpc.StatusCode.FAILED_PRECONDITION, message)
