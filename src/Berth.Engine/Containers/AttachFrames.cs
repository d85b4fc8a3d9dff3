using System.Buffers.Binary;

namespace Berth.Engine.Containers;

/// <summary>
/// The attach socket's framing, docker's stdcopy: an 8-byte header (stream, 0, 0, 0, big-endian length)
/// then the bytes. Stream 1 is stdout, 2 stderr; Berth adds stream 255, the last frame, carrying the
/// container's exit code (4 bytes, big-endian) once the monitor has recorded it.
/// </summary>
public static class AttachFrames
{
    public const byte Stdout = 1, Stderr = 2, Exit = 255;

    public static void WriteHeader(Span<byte> header, byte stream, int length)
    {
        header[0] = stream;
        header[1] = header[2] = header[3] = 0;
        BinaryPrimitives.WriteInt32BigEndian(header[4..], length);
    }
}
