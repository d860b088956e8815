namespace XummSimulator.Model;

public enum PayloadStatus
{
    Pending,
    Signed,
    Rejected,
    Cancelled,
    Expired,
}
