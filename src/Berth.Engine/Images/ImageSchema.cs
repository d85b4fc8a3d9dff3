using Berth.Engine.Metadata;

namespace Berth.Engine.Images;

internal sealed class ImageSchema : ISchema
{
    public string Domain => "images";

    public IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE images (
            id TEXT PRIMARY KEY,                 -- config digest: docker's image ID
            manifest_digest TEXT NOT NULL,
            manifest_media_type TEXT NOT NULL,
            manifest_size INTEGER NOT NULL,
            config_size INTEGER NOT NULL,
            created INTEGER,                     -- from the config, unix ms
            added INTEGER NOT NULL,              -- when this store got it, unix ms
            os TEXT NOT NULL,
            architecture TEXT NOT NULL,
            intermediate INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE image_layers (
            image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            diff_id TEXT NOT NULL,
            chain_id TEXT NOT NULL,
            blob_digest TEXT NOT NULL,
            blob_media_type TEXT NOT NULL,
            blob_size INTEGER NOT NULL,
            diff_size INTEGER,                   -- bytes of the uncompressed tar, once known
            PRIMARY KEY (image_id, idx)
        );
        CREATE INDEX image_layers_chain ON image_layers(chain_id);
        CREATE INDEX image_layers_blob ON image_layers(blob_digest);
        CREATE TABLE tags (
            ref TEXT PRIMARY KEY,                -- normalised name:tag
            image_id TEXT NOT NULL REFERENCES images(id),
            updated INTEGER NOT NULL
        );
        CREATE INDEX tags_image ON tags(image_id);
        CREATE TABLE repo_digests (
            ref TEXT PRIMARY KEY,                -- normalised name@digest
            image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
        );
        CREATE INDEX repo_digests_image ON repo_digests(image_id);
        """,
        """
        CREATE TABLE local_layers (
            diff_id TEXT PRIMARY KEY,            -- the layer's digest: its uncompressed tar, made on demand
            chain_id TEXT NOT NULL,              -- the committed snapshot it is made from
            size INTEGER NOT NULL
        );
        CREATE INDEX local_layers_chain ON local_layers(chain_id);
        """,
    ];
}
