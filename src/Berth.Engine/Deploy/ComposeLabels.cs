namespace Berth.Engine.Deploy;

/// <summary>docker compose's labels, which is how containers, networks and volumes are found again by project and service.</summary>
public static class ComposeLabels
{
    public const string Project = "com.docker.compose.project";
    public const string Service = "com.docker.compose.service";
    public const string Number = "com.docker.compose.container-number";
    public const string OneOff = "com.docker.compose.oneoff";
    public const string Network = "com.docker.compose.network";
    public const string Volume = "com.docker.compose.volume";
    public const string WorkingDir = "com.docker.compose.project.working_dir";
    /// <summary>berth's: the revision a replica runs.</summary>
    public const string Revision = "berth.deploy.revision";
}
