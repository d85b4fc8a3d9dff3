namespace Berth.Engine.Build.Dockerfile;

/// <summary>A value inside an instruction is wrong; whoever knows the instruction adds its location.</summary>
public sealed class InstructionValueException(string reason) : BerthException(reason);
