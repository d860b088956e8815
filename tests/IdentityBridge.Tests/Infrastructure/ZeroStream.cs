namespace IdentityBridge.Tests.Infrastructure;

/// <summary>
/// A body of <c>length</c> zero bytes, produced as it is read and never held in memory, that counts how much of it
/// was read: for proving that an answer's body is left unread.
/// </summary>
public sealed class ZeroStream(long length) : Stream
{
    private long _position;

    public long BytesRead => Interlocked.Read(ref _position);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, length - Interlocked.Read(ref _position));
        Array.Clear(buffer, offset, n);
        Interlocked.Add(ref _position, n);
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
