using System.Xml.Linq;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Storage;

/// <summary>
/// Keeps the data protection key ring in the database, so every node behind a load balancer reads
/// the same keys (cookies and protected state made by one node are readable by the others).
/// Reads and writes are synchronous (the interface is), so they use the connection without multiplexing.
/// </summary>
internal sealed class DatabaseXmlRepository(DirectDbContextFactory factory) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = factory.CreateDbContext();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).AsEnumerable().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = factory.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        try
        {
            db.SaveChanges();
        }
        catch (DbUpdateException) when (db.DataProtectionKeys.Any(k => k.FriendlyName == friendlyName))
        {
            // Another node stored the same key first.
        }
    }
}
