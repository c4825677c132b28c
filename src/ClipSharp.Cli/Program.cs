using ClipSharp.Cli;

return CliApp.Run(args);
