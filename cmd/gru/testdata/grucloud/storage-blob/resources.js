// GruCloud's hand-written Storage types, on the Blob service's data plane, in GruCloud's
// shapes: the service's properties (a static website; no name: it is the account's one), and
// blobs uploaded from files of the project, with content type and metadata. Unchanged files
// are not uploaded again (their MD5 is compared).
exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-storage-blob" },
  {
    type: "StorageAccount",
    group: "Storage",
    name: "gcstorageblob",
    properties: () => ({ sku: { name: "Standard_LRS" }, kind: "StorageV2" }),
    dependencies: () => ({ resourceGroup: "rg-storage-blob" }),
  },
  {
    type: "BlobServiceProperties",
    group: "Storage",
    properties: () => ({
      properties: {
        staticWebsite: { enabled: true, indexDocument: "index.html", errorDocument404Path: "404.html" },
      },
    }),
    dependencies: () => ({ resourceGroup: "rg-storage-blob", account: "rg-storage-blob::gcstorageblob" }),
  },
  {
    type: "BlobContainer",
    group: "Storage",
    name: "$web",
    dependencies: () => ({ resourceGroup: "rg-storage-blob", account: "rg-storage-blob::gcstorageblob" }),
  },
  {
    type: "Blob",
    group: "Storage",
    name: "index.html",
    properties: () => ({ source: "site/index.html", properties: { contentType: "text/html", metadata: { team: "web" } } }),
    dependencies: () => ({
      resourceGroup: "rg-storage-blob",
      account: "rg-storage-blob::gcstorageblob",
      container: "rg-storage-blob::gcstorageblob::$web",
    }),
  },
  {
    type: "Blob",
    group: "Storage",
    // As GruCloud writes it: the container names the account.
    properties: () => ({ name: "404.html", source: "site/404.html", properties: { contentType: "text/html" } }),
    dependencies: () => ({
      resourceGroup: "rg-storage-blob",
      container: "rg-storage-blob::gcstorageblob::$web",
    }),
  },
  {
    // A name with a virtual folder.
    type: "Blob",
    group: "Storage",
    name: "css/site.css",
    properties: () => ({ source: "site/css/site.css", properties: { contentType: "text/css" } }),
    dependencies: () => ({
      resourceGroup: "rg-storage-blob",
      container: "rg-storage-blob::gcstorageblob::$web",
    }),
  },
];
