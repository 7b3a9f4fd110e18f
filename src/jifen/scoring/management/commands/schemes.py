from jifen.scoring.engine_command import EngineCommand


class Command(EngineCommand):
    help = "列出预设积分办法 (list the preset schemes)"
    subcommand = "schemes"
